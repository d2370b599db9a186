/**
 * The seed catalogue both stacks start with and return to on POST /api/lab/reset, so that the same product has the
 * same id, price and stock on either side (ids follow array order, starting at 1).
 */
export interface SeedCategory {
  name: string;
  description: string;
}
export interface SeedProduct {
  name: string;
  description: string;
  price: string;
  category: string;
  stock: number;
}

export const BLACK_FRIDAY_PRODUCT_NAME = 'Black Friday Deal: Game Console';

export const SEED_CATEGORIES: SeedCategory[] = [
  { name: 'Electronics', description: 'Gadgets, consoles and everything with a battery' },
  { name: 'Books', description: 'Paper and ink' },
  { name: 'Home & Kitchen', description: 'Things for the house' },
  { name: 'Sports', description: 'Gear for moving about' },
  { name: 'Clothing', description: 'Things to wear' },
];

export const SEED_PRODUCTS: SeedProduct[] = [
  {
    name: BLACK_FRIDAY_PRODUCT_NAME,
    description: 'The doorbuster: very few in stock, everybody wants one.',
    price: '299.00',
    category: 'Electronics',
    stock: 10,
  },
  {
    name: 'Wireless Headphones',
    description: 'Noise cancelling, 30 h battery',
    price: '149.99',
    category: 'Electronics',
    stock: 500,
  },
  {
    name: 'USB-C Charger 65W',
    description: 'Charges a laptop and a phone at once',
    price: '39.90',
    category: 'Electronics',
    stock: 800,
  },
  {
    name: 'Mechanical Keyboard',
    description: 'Tactile switches, backlit',
    price: '89.00',
    category: 'Electronics',
    stock: 300,
  },
  {
    name: '4K Monitor 27"',
    description: 'IPS panel, USB-C input',
    price: '329.00',
    category: 'Electronics',
    stock: 150,
  },
  {
    name: 'Designing Data-Intensive Applications',
    description: 'Reliable, scalable and maintainable systems',
    price: '45.50',
    category: 'Books',
    stock: 400,
  },
  {
    name: 'Enterprise Integration Patterns',
    description: 'Messaging solutions, the classic',
    price: '59.99',
    category: 'Books',
    stock: 250,
  },
  {
    name: 'The Pragmatic Programmer',
    description: 'From journeyman to master',
    price: '42.00',
    category: 'Books',
    stock: 350,
  },
  { name: 'Chef Knife 20 cm', description: 'German steel', price: '69.00', category: 'Home & Kitchen', stock: 200 },
  { name: 'French Press 1 L', description: 'Glass and steel', price: '24.95', category: 'Home & Kitchen', stock: 600 },
  {
    name: 'Cast Iron Skillet',
    description: 'Pre-seasoned, 28 cm',
    price: '34.00',
    category: 'Home & Kitchen',
    stock: 450,
  },
  { name: 'Yoga Mat', description: '6 mm, non-slip', price: '29.99', category: 'Sports', stock: 700 },
  {
    name: 'Running Shoes',
    description: 'Light trainers for the road',
    price: '119.00',
    category: 'Sports',
    stock: 240,
  },
  { name: 'Water Bottle 750 ml', description: 'Insulated steel', price: '19.50', category: 'Sports', stock: 900 },
  { name: 'Rain Jacket', description: 'Waterproof and breathable', price: '99.00', category: 'Clothing', stock: 180 },
  { name: 'Merino T-Shirt', description: 'Soft, does not smell', price: '55.00', category: 'Clothing', stock: 380 },
];
